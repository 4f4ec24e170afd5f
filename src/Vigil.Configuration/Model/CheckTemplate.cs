using Vigil.Domain.Checks;

namespace Vigil.Configuration;

/// <summary>Check settings without a name: <c>defaults</c>, or <c>ping.auto_create</c> on top of them.</summary>
public sealed record CheckTemplate
{
    internal const string PlaceholderName = "template";

    internal CheckTemplate(CheckDefinition settings)
    {
        Settings = settings;
    }

    /// <summary>The settings; its <c>Name</c> is a placeholder and its <c>Uuid</c> empty.</summary>
    public CheckDefinition Settings { get; }

    /// <summary>A definition for a new check with these settings and a fresh UUID.</summary>
    public CheckDefinition Create(string name, Guid uuid, ManagedBy managedBy = ManagedBy.Api) =>
        Settings with { Name = name, Uuid = uuid, ManagedBy = managedBy };
}
