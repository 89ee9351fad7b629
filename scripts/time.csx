// description: The current time on the server, as HH:mm:ss
#load ".editor/globals.csx" // for the editor; the gateway loads nothing from .editor/ (see README.md)
using System.Globalization;

DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
