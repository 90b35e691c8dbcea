"""The ICP: versions, criteria with their evidence, scoring and tiers, previews, prospect lists."""
