"""Letter pages by topic: `letters` (a family's letters, one letter and what is done to it), `batch` (a month's
letters made again) and `settings` (a service's letterhead and wording)."""
