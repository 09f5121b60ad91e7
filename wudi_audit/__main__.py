from wudi_audit.cli.app import main

main()
