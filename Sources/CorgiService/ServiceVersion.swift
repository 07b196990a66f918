/// The service layer (webhook gateway, worker pipeline, sweeper) builds on the forge, storage
/// and object-store layers; `corgi serve` arrives with it.
public enum ServiceVersion {
    public static let current = "0.1.0"
}
