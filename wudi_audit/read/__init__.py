"""Reading files into raw tables: which files are inputs, format sniffing, native-reader
guards, header rows and header matching. Nothing here knows a rule."""
