"""The InstructPix2Pix data engine, step 1: a writer turns a caption into an edit instruction and the edited caption."""
