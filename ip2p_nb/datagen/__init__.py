"""The data engine of the InstructPix2Pix paper: captions to instructions, picture pairs, the CLIP filter, a training folder."""
