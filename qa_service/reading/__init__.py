"""Reading documents: files in and out of the collection folder, their text cleaned of web
furniture, and split into sentences and passages with offsets into the cleaned text."""
