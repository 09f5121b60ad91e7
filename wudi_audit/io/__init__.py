"""Reading inputs (format sniffing, header matching, normalisation) and writing outputs."""
