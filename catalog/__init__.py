"""CourseRadar catalog: database, normalisation, search, refresh, exports and the CLI."""
