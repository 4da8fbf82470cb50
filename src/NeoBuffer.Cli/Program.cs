using System.CommandLine;
using NeoBuffer.Cli;
using NeoBuffer.Cli.Verbs;

// One file per verb under Verbs/: a new verb is a new file and one line here.
var root = new RootCommand("See and clean NeoBuffer channels: who is attached, how full each ring is, what is flowing.")
{
    ListVerb.Create(),
    InspectVerb.Create(),
    TailVerb.Create(),
    TopVerb.Create(),
    RemoveVerb.Create(),
    GcVerb.Create(),
};

return CliExit.Invoke(root, args);
