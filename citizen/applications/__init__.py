"""Online applications: drafts with their papers, submission, and paying the fees online."""
