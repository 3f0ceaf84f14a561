"""The command line: parse, call the library, print, and map the outcome to an exit code.

The only package that prints to the terminal or exits.
"""
