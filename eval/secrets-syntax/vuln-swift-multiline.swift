let mapboxToken = """
46ohPfeyeZQhtqikskPQnvT35digN5vG
"""
