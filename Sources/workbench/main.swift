print("workbench: not built yet")
