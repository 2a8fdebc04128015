from exoadmin.sandbox.cli import main

main()
