"""Reading inputs: format sniffing, native-reader guards, header matching, normalisation."""
