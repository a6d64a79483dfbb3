using MixpanelData.Mcp.Cli;

var root = CommandLine.Build(Console.Error, Environment.GetEnvironmentVariable);
return await root.Parse(args).InvokeAsync();
