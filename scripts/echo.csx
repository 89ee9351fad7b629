// description: Repeats its arguments: echo <text>
#load ".editor/globals.csx" // for the editor; the gateway loads nothing from .editor/ (see README.md)
Args.Length == 0 ? "usage: echo <text>" : Args
