/// The version every output names (`corgi --version`, reports, the API's exports).
public enum CorgiVersion {
    public static let current = "0.1.0"
}
