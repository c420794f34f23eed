from pressroom.cli import entry

entry()
