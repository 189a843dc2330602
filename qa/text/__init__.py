"""Files to text, structure, sentences and passages, with exact offsets. Pure: no model, no index."""
