"""Posts that walk readers through a conference by theme."""
