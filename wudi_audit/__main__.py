from wudi_audit.cli import main

main()
