"""Widgets of the conversation itself: system prompt, message actions, context meter."""
