"""The Assistant and what one question reads: a facade over readers of index generations, a query encoder,
retrieval and the routes that answer (`facade`, `reader`, `encoder`, `retrieve`, `routes`, `provenance`)."""

from qa.assistant.facade import Assistant
from qa.assistant.reader import IndexReader
from qa.assistant.retrieve import Retrieval

__all__ = ["Assistant", "IndexReader", "Retrieval"]
