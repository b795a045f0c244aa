#include "GnuplotBridge.h"
extern "C" int wb_gnuplot_bridge_version(void) { return 1; }
