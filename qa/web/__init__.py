"""What the chat shows, with no screen library: escaped HTML, page helpers, exports of an answer."""
