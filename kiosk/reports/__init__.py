"""File writers and readers for the organizer: xlsx exports, the PDF attendance sheet, imports."""
