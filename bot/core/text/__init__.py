"""Text primitives of the pure core: no platform, no I/O, no network.

`arabic` cleans text for display and folds it for comparison, `tweet_length`
weighs text the way X does, `hashtags` builds hashtags that X and Telegram
both link whole. Import from the submodules; this package re-exports nothing,
so importing one of them never pulls in the others.
"""
