import EngineCore

extension CustomerState {
    /// The known customer after taking over what an anonymous visitor did before logging in:
    /// the known profile wins where both have an attribute, the visitor's running instances and
    /// entry history come along (entry rules keep holding across the merge), and so do its
    /// trigger timers.
    func absorbing(_ anonymous: CustomerState) -> CustomerState {
        var merged = self
        merged.profile.merge(anonymous.profile) { known, _ in known }
        let running = Set(instances.map(\.id))
        merged.instances += anonymous.instances.filter { !running.contains($0.id) }
        merged.entries.merge(anonymous.entries) { known, visitor in
            EntryRecord(lastEntered: max(known.lastEntered, visitor.lastEntered), count: known.count + visitor.count)
        }
        merged.triggerTimers.merge(anonymous.triggerTimers) { known, _ in known }
        return merged
    }
}
