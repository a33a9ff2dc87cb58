// ModelGraph
