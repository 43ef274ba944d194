using Urm.Cli;

return await UrmCommand.Create().Parse(args).InvokeAsync();
