"""The workbench's pages, one module per page (each with its ``router``)."""
