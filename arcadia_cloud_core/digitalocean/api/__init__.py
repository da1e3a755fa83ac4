"""The client's endpoint methods, one module per API area (mixed into ``DOClient``)."""
