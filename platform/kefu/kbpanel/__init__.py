"""The workbench's 内部知识库 panel: search, browse and open knowledge, favourites per agent."""
