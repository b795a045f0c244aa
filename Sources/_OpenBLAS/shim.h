// Exposes OpenBLAS's CBLAS interface to Swift (pkg-config name `openblas`, package libopenblas-dev).
#include <cblas.h>
