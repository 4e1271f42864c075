"""`recon web`: the screens — a rep's check before registering, the reviewer's desk, appeals and
extension rulings — on Starlette, reading the published warehouse read-only and writing to the
desk (`adapters.desk_store`)."""
