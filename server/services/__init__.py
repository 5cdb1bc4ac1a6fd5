"""Services: the server's use cases, over the database, with no HTTP in them."""
