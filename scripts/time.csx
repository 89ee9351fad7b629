// description: The current time on the server, as HH:mm:ss
using System.Globalization;

DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
