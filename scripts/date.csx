// description: Today's date on the server, as yyyy-MM-dd
#load ".editor/globals.csx" // for the editor; the gateway loads nothing from .editor/ (see README.md)
using System.Globalization;

// The last expression is the reply.
DateTime.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
