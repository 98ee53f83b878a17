"""The rubric's words per language, as data: ``<language>.yaml`` beside this file."""
