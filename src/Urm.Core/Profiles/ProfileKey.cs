namespace Urm.Core.Profiles;

public enum ProfileKind { User, Session }

/// <summary>
/// Whose profile: a signed-in user or an anonymous session. The two are apart even when their ids are
/// equal (<see cref="Value"/> is <c>user:&lt;id&gt;</c> or <c>session:&lt;id&gt;</c>, the stores' key).
/// </summary>
public readonly record struct ProfileKey(ProfileKind Kind, string Id)
{
    public static ProfileKey User(string id) => new(ProfileKind.User, id);

    public static ProfileKey Session(string id) => new(ProfileKind.Session, id);

    public string Value => (Kind == ProfileKind.User ? "user:" : "session:") + Id;

    public override string ToString() => Value;
}
