"""The index on disk: embedding passages and sentences, atomic generations, syncing a corpus folder."""
