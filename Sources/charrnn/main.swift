print("charrnn")
