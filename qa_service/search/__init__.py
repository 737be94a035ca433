"""The index and its search: the embedding model, the vector and BM25 indexes built from the
passages, and the hybrid retrieval over them."""
