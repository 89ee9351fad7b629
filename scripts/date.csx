// description: Today's date on the server, as yyyy-MM-dd
using System.Globalization;

// The last expression is the reply.
DateTime.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
