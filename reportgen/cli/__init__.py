"""The command line: parse options, call one library function, print, exit."""
