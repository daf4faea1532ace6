from reportgen.cli.app import main

main()
