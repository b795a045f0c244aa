print("chapter-data: not built yet")
