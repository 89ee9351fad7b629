// What an editor needs to know of a script in this folder: each script's `#load ".editor/globals.csx"` line brings
// it in. The gateway never reads this file (a #load of .editor/ loads nothing there): it gives scripts all of this
// itself. See scripts/README.md, "In an editor".

// The gateway's own copies of the contract and of Serilog, as `dotnet build` leaves them in a clone (hover texts come
// from WsGateway.Contracts.xml beside it). For a gateway installed elsewhere, point both at a folder that holds these
// two files of the gateway's version, e.g. the contents of the WsGateway.Contracts and Serilog packages.
#r "../../src/WsGateway.Host/bin/Debug/net10.0/WsGateway.Contracts.dll"
#r "../../src/WsGateway.Host/bin/Debug/net10.0/Serilog.dll"

// The namespaces the gateway imports into every script, and no others.
global using System;
global using System.Collections.Generic;
global using System.Linq;
global using System.Text;
global using System.Threading.Tasks;
global using WsGateway.Contracts;

// The globals, as WsGateway.Contracts.ScriptGlobals declares them: a script uses them by name. Never run.

/// <inheritdoc cref="ScriptGlobals.Context"/>
ICommandContext Context => default!;

/// <inheritdoc cref="ScriptGlobals.Args"/>
string Args => default!;

/// <inheritdoc cref="ScriptGlobals.Session"/>
ISession Session => default!;

/// <inheritdoc cref="ScriptGlobals.Logger"/>
Serilog.ILogger Logger => default!;

/// <inheritdoc cref="ScriptGlobals.CancellationToken"/>
System.Threading.CancellationToken CancellationToken => default;

/// <inheritdoc cref="ScriptGlobals.Data"/>
// Nullable<> spelled out: at the top of a script, "JsonElement? Data => ..." reads as the start of a ?: expression.
Nullable<System.Text.Json.JsonElement> Data => default;

/// <inheritdoc cref="ScriptGlobals.Reply(string)"/>
Task Reply(string text) => default!;

/// <inheritdoc cref="ScriptGlobals.ReplyAsync(string)"/>
Task ReplyAsync(string text) => default!;

/// <inheritdoc cref="ScriptGlobals.Reply{T}(T)"/>
Task Reply<T>(T value) => default!;

/// <inheritdoc cref="ScriptGlobals.ReplyAsync{T}(T)"/>
Task ReplyAsync<T>(T value) => default!;

/// <inheritdoc cref="ScriptGlobals.SendEventAsync{T}(string, T)"/>
Task SendEventAsync<T>(string name, T data) => default!;

/// <inheritdoc cref="ScriptGlobals.BroadcastAsync(string)"/>
Task BroadcastAsync(string text) => default!;

/// <inheritdoc cref="ScriptGlobals.JoinGroupAsync(string)"/>
Task JoinGroupAsync(string group) => default!;

/// <inheritdoc cref="ScriptGlobals.LeaveGroupAsync(string)"/>
Task LeaveGroupAsync(string group) => default!;

/// <inheritdoc cref="ScriptGlobals.SendToGroupAsync(string, string)"/>
Task SendToGroupAsync(string group, string text) => default!;

/// <inheritdoc cref="ScriptGlobals.SendToUserAsync(string, string)"/>
Task SendToUserAsync(string user, string text) => default!;

/// <inheritdoc cref="ScriptGlobals.SendToSessionAsync(string, string)"/>
Task SendToSessionAsync(string sessionId, string text) => default!;

/// <inheritdoc cref="ScriptGlobals.CloseAsync(int, string)"/>
Task CloseAsync(int code = CloseCodes.NormalClosure, string reason = "") => default!;
