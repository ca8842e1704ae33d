package activities

// Views renders prompts as the digest does, for the benchmark's baseline.
var Views = views
