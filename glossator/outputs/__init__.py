"""The site's files, each output a function of the rendered articles."""
