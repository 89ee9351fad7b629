// description: Repeats its arguments: echo <text>
Args.Length == 0 ? "usage: echo <text>" : Args
